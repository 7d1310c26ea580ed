"""On PostgreSQL, accounts and statements take their ids from a sequence that hands each
connection a thousand at a time, so that an import takes tens of thousands in a few
milliseconds (billing/bulk.py ids_take) without locking anything."""

from django.db import migrations

TABLES = ("billing_utilityaccount", "billing_statement")


def cache(size: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in TABLES:
            schema_editor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "id" SET CACHE {size}')
    return run


class Migration(migrations.Migration):

    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(cache(1000), cache(1))]
