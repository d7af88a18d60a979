"""The semantic view in the running site: vectors encoded once by the worker,
stored and reused, and a need finding a capability written in another
language (with the production encoder)."""

import numpy as np
import pytest
from django.core.management import call_command

from marketplace.choices import ListingStatus
from matching.models import ListingVector, Match
from matching.services import matcher_cache, rematch, semantic_search, vectors
from tests.marketplace.factories import CapabilityFactory, NeedFactory


@pytest.fixture
def semantic(settings):
    settings.MATCHING_ENCODER = "use"
    settings.MATCHING_RELEVANCE_FLOOR = None  # the production floor
    matcher_cache._cache.matcher = None
    semantic_search._vectors.fingerprint = None  # catalogue search's vectors: another test's catalogue
    yield
    matcher_cache._cache.matcher = None
    semantic_search._vectors.fingerprint = None


@pytest.fixture
def bilingual(db):
    defects = CapabilityFactory(
        title="Fabric defect inspection model",
        description="Finds holes, stains and broken threads in woven fabric from line-scan camera images.",
        kind="model",
        status=ListingStatus.PUBLISHED,
    )
    gpu = CapabilityFactory(
        title="GPU rental by the hour",
        description="A100 and H800 servers for training and inference, billed per hour.",
        kind="compute",
        status=ListingStatus.PUBLISHED,
    )
    need = NeedFactory(
        title="布匹瑕疵自动检测",
        description="我们是纺织厂，想用摄像头自动找出布上的破洞和污渍，代替人工验布。",
        kinds_wanted=["model", "compute"],
        status=ListingStatus.PUBLISHED,
    )
    return defects, gpu, need


@pytest.mark.usefixtures("semantic")
def test_a_chinese_need_finds_the_english_capability_that_fits_by_meaning(bilingual):
    defects, gpu, need = bilingual
    rematch.match_need(need.pk)
    proposed = list(Match.objects.filter(need=need, rank__isnull=False).order_by("rank"))
    assert proposed and proposed[0].capability_id == defects.pk
    assert gpu.pk not in [match.capability_id for match in proposed[:1]]
    text_reason = next(reason for reason in proposed[0].reasons if reason["code"] == "text")
    assert text_reason["meaning"] == defects.title


@pytest.mark.usefixtures("semantic")
def test_vectors_are_encoded_once_and_reused(bilingual, monkeypatch):
    defects, _gpu, need = bilingual
    rematch.match_need(need.pk)
    stored = {(row.kind, row.listing_id) for row in ListingVector.objects.all()}
    assert (ListingVector.Kind.NEED, need.pk) in stored
    assert (ListingVector.Kind.CAPABILITY, defects.pk) in stored
    before = list(ListingVector.objects.order_by("pk").values_list("pk", "vector"))

    encoder = vectors.encoder_get()

    def refuse(texts):
        raise AssertionError(f"encoded again: {texts}")

    monkeypatch.setattr(encoder, "encode", refuse)
    matcher_cache._cache.matcher = None  # a fresh worker: it reads what is stored
    rematch.match_need(need.pk)
    assert list(ListingVector.objects.order_by("pk").values_list("pk", "vector")) == before


@pytest.mark.usefixtures("semantic")
def test_an_edited_text_is_encoded_again(bilingual):
    _defects, _gpu, need = bilingual
    rematch.match_need(need.pk)
    old = bytes(ListingVector.objects.get(kind="need", listing_id=need.pk).vector)
    need.title = "GPU 算力租用"
    need.description = "按小时租用显卡训练模型"
    need.save()
    rematch.match_need(need.pk)
    row = ListingVector.objects.get(kind="need", listing_id=need.pk)
    assert bytes(row.vector) != old
    assert np.isclose(np.linalg.norm(np.frombuffer(bytes(row.vector), dtype=np.float32)), 1.0, atol=1e-5)


@pytest.mark.usefixtures("semantic")
def test_encode_listings_fills_what_is_missing_and_drops_another_encoders_vectors(bilingual):
    defects, _gpu, need = bilingual
    ListingVector.objects.create(kind="capability", listing_id=defects.pk, encoder="old-model", digest="x", vector=b"")
    call_command("encode_listings", stdout=open("/dev/null", "w"))  # noqa: SIM115
    rows = ListingVector.objects.all()
    assert {row.encoder for row in rows} == {vectors.encoder_get().name}
    assert {(row.kind, row.listing_id) for row in rows} >= {("capability", defects.pk), ("need", need.pk)}


def test_without_an_encoder_matching_uses_words_alone(bilingual, settings):
    settings.MATCHING_ENCODER = "none"
    _defects, _gpu, need = bilingual
    rematch.match_need(need.pk)
    assert not ListingVector.objects.exists()


@pytest.mark.usefixtures("semantic")
def test_catalogue_search_finds_by_meaning_what_its_words_miss(client, bilingual):
    """ "视觉检测" shares no word with an English listing; matching's backend for
    marketplace's search hook finds it by meaning (its vector stored by the worker)."""
    from django.urls import reverse

    from matching.services import semantic_search

    defects, gpu, _need = bilingual
    matcher_cache.matcher_get()  # a worker matched the catalogue: vectors stored
    semantic_search._vectors.fingerprint = None
    response = client.get(reverse("marketplace:catalogue"), {"q": "布匹瑕疵检测"})
    assert response.status_code == 200
    found = [capability.pk for capability in response.context["page"]]
    assert found and found[0] == defects.pk
    assert gpu.pk not in found


def test_without_an_encoder_search_by_meaning_finds_nothing(bilingual):
    from matching.services.semantic_search import capabilities_by_meaning

    assert capabilities_by_meaning(query="布匹瑕疵检测", limit=5) == []
