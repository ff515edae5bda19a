"""Rooms and speakers record when they last changed, for the calendar feeds' ETags."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("agenda", "0002_room_exclusion_on_postgres")]

    operations = [
        migrations.AddField(
            model_name="room",
            name="changed_at",
            field=models.DateTimeField(
                auto_now=True, default=django.utils.timezone.now, verbose_name="last changed"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="speaker",
            name="changed_at",
            field=models.DateTimeField(
                auto_now=True, default=django.utils.timezone.now, verbose_name="last changed"
            ),
            preserve_default=False,
        ),
    ]
