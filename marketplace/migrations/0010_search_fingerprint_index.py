"""An index on (status, updated_at, id) of capabilities and needs: catalogue
search fingerprints the listings it searches (their number, latest change and
highest id) on every search (marketplace.ranking), and over 10,000 published
capabilities this index answers it without reading the table (about 10 → 2 ms)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_password_change_door"),
        ("marketplace", "0009_stored_search_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="capability",
            index=models.Index(fields=["status", "updated_at", "id"], name="marketplace_cap_status_chg"),
        ),
        migrations.AddIndex(
            model_name="need",
            index=models.Index(fields=["status", "updated_at", "id"], name="marketplace_need_status_chg"),
        ),
    ]
