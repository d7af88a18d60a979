from django.db import migrations, models
from django.db.models.functions import Now


def published_listings_matched(apps, schema_editor):
    """Listings published before this field existed were matched when they
    were published (and by the nightly rebuild): they start as matched, so the
    reconciler does not queue the whole catalogue at once after the upgrade."""
    for name in ("Capability", "Need"):
        apps.get_model("marketplace", name).objects.filter(status="published").update(matched_at=Now())


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0006_field_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="capability",
            name="matched_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="last matched"),
        ),
        migrations.AddField(
            model_name="need",
            name="matched_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="last matched"),
        ),
        migrations.RunPython(published_listings_matched, migrations.RunPython.noop, elidable=True),
    ]
