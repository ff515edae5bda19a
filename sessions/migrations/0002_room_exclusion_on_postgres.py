"""On PostgreSQL, refuse two live sessions overlapping in one room at the database level.

Deferred, so a bulk reschedule in one transaction (the demo redated) is checked at commit;
the services switch it to immediate so a clash fails at their save.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE agenda_session ADD CONSTRAINT session_room_no_overlap
    EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status <> 'cancelled')
    DEFERRABLE INITIALLY DEFERRED;
"""
DROP = "ALTER TABLE agenda_session DROP CONSTRAINT IF EXISTS session_room_no_overlap;"


def create(apps, schema_editor):
    # SQLite has no exclusion constraints: there the service's room lock is the guard.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("agenda", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
