"""A small published catalogue and two published needs, in Chinese and English,
made through the marketplace services so that matching runs as it does in
production (the hooks queue Celery tasks after the commit; tasks run eagerly).

Alice's SME (small, unverified, in Zhejiang, manufacturing) wants an invoice
OCR API. Besides the two capabilities that fit it, the catalogue holds four
invoice OCR offers it may not be proposed (each fails one hard filter: kind,
region, verification, size) and two about other topics.
"""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from marketplace.models import Capability, Need
from marketplace.services.listing_transitions import LISTING_ACTIONS, listing_publish, listing_submit
from marketplace.services.listings import listing_create, listing_update
from matching.models import Match
from tests.marketplace.factories import capability_fields, need_fields


@pytest.fixture
def publish(moderator, django_capture_on_commit_callbacks):
    """Create, submit and publish a listing through the services, running what
    they queue after the commit (the matching tasks, eagerly)."""

    def _publish(model, membership, fields, tags=()):
        with django_capture_on_commit_callbacks(execute=True):
            listing = listing_create(model=model, membership=membership, fields=fields, tag_names=list(tags))
            listing_submit(listing=listing, membership=membership)
            listing_publish(listing=listing, user=moderator)
        listing.refresh_from_db()
        return listing

    return _publish


@pytest.fixture
def act(moderator, django_capture_on_commit_callbacks):
    """Move a listing through a transition or edit it, running what is queued."""

    def transition(listing, action, membership=None, reason=""):
        listing_action = LISTING_ACTIONS[action]
        with django_capture_on_commit_callbacks(execute=True):
            if listing_action.by_owner:
                listing_action.service(listing=listing, membership=membership, reason=reason)
            else:
                listing_action.service(listing=listing, user=moderator, reason=reason)
        listing.refresh_from_db()
        return listing

    def edit(listing, membership, tags=None, **changes):
        fields = {name: getattr(listing, name) for name in listing.editable_fields} | changes
        tag_names = [tag.name for tag in listing.tags.all()] if tags is None else tags
        with django_capture_on_commit_callbacks(execute=True):
            listing_update(membership=membership, listing=listing, fields=fields, tag_names=tag_names)
        listing.refresh_from_db()
        return listing

    return SimpleNamespace(transition=transition, edit=edit)


@pytest.fixture
def catalogue(cast, publish):
    """Published capabilities, keyed by what they are."""
    dan, erin = cast.dan, cast.erin
    return SimpleNamespace(
        ocr=publish(Capability, dan, capability_fields(), ["OCR", "发票"]),
        ocr_erin=publish(
            Capability,
            erin,
            capability_fields(
                title="发票识别 API Invoice recognition",
                summary="Recognises VAT invoices for manufacturers.",
                description="发票 OCR 识别，适合制造业财务。Invoice OCR for the accounts of manufacturers.",
                industries=["manufacturing"],
                price_min_monthly=Decimal("200"),
                price_max_monthly=Decimal("800"),
            ),
        ),
        gpu=publish(
            Capability,
            dan,
            capability_fields(
                kind="compute",
                title="GPU 算力租用 GPU computing power",
                summary="A100 GPUs by the hour for training models.",
                description="按小时租用 A100 显卡算力。Rent A100 computing power by the hour.",
                price_min_monthly=Decimal("3000"),
                price_max_monthly=Decimal("9000"),
            ),
            ["GPU", "算力"],
        ),
        route=publish(
            Capability,
            erin,
            capability_fields(
                kind="tool",
                title="冷链物流路线规划 Cold-chain route planning",
                summary="Plans delivery routes for refrigerated vans.",
                description="为冷链配送车辆规划路线。Route optimisation for cold-chain delivery vans.",
                industries=["logistics"],
            ),
            ["物流", "Route planning"],
        ),
        # Invoice OCR offers Alice's need may never be proposed.
        ocr_data=publish(
            Capability,
            dan,
            capability_fields(
                kind="data",
                data_classification="general",
                title="增值税发票 OCR 识别数据集 Invoice OCR data set",
                summary="Labelled VAT invoice images for OCR.",
            ),
            ["OCR", "发票"],
        ),
        ocr_guangdong=publish(
            Capability,
            dan,
            capability_fields(
                title="广东增值税发票 OCR 识别接口 Guangdong invoice OCR API",
                summary="Subsidised invoice OCR API for firms in Guangdong.",
                regions=["guangdong"],
            ),
            ["OCR", "发票"],
        ),
        ocr_verified=publish(
            Capability,
            erin,
            capability_fields(
                title="企业级增值税发票 OCR 识别接口 Enterprise invoice OCR API",
                summary="Invoice OCR API for verified firms only.",
                requires_verification=True,
            ),
            ["OCR", "发票"],
        ),
        ocr_medium=publish(
            Capability,
            erin,
            capability_fields(
                title="中型企业增值税发票 OCR 识别接口 Invoice OCR API for medium firms",
                summary="Invoice OCR API for medium and large firms.",
                eligible_size_bands=["medium", "large"],
            ),
            ["OCR", "发票"],
        ),
    )


@pytest.fixture
def needs(cast, catalogue, publish):
    """Alice's invoice need and Carol's route planning need, published."""
    return SimpleNamespace(
        invoice=publish(Need, cast.alice, need_fields(), ["OCR", "发票"]),
        route=publish(
            Need,
            cast.carol,
            need_fields(
                title="冷链配送路线优化 Route planning for our vans",
                description="十二辆冷链车，每天两百个配送点。Twelve refrigerated vans, two hundred stops a day.",
                kinds_wanted=["tool"],
                industry="logistics",
                region="sichuan",
                budget_max_monthly=Decimal("5000"),
            ),
            ["物流"],
        ),
    )


@pytest.fixture
def proposed():
    """The capability ids proposed for a need, best first."""

    def _proposed(need):
        matches = Match.objects.filter(need=need, rank__isnull=False).order_by("rank")
        return list(matches.values_list("capability_id", flat=True))

    return _proposed


@pytest.fixture
def snapshot():
    """Every match row as (need, capability, rank, SME feedback, platform feedback)."""

    def _snapshot():
        rows = Match.objects.values_list("need_id", "capability_id", "rank", "sme_feedback", "platform_feedback")
        return sorted(rows, key=lambda row: (row[0], row[1]))

    return _snapshot
