"""Numbers issued per municipality and month (case and matter references): a counter row
per municipality and month, incremented by one ``UPDATE ... RETURNING`` that takes the
row's lock and reads the number, so that concurrent writers queue for a moment and never
share a number. Each kind of reference has its own table (a subclass)."""

from django.db import connection, models
from django.utils import timezone


class MonthCounter(models.Model):
    """The last number issued per municipality and month (``period`` is YYMM)."""

    municipality = models.ForeignKey("geo.Municipality", on_delete=models.CASCADE,
                                     related_name="+")
    period = models.CharField(max_length=4)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.period}: {self.last}"


def month_number_next(counter: type[MonthCounter], municipality, at) -> tuple[str, int]:
    """The month of ``at`` (local, YYMM) and the next number of ``counter`` in it, in the
    caller's transaction."""
    period = timezone.localtime(at).strftime("%y%m")
    sql = (f"UPDATE {counter._meta.db_table} SET last = last + 1 "
           "WHERE municipality_id = %s AND period = %s RETURNING last")
    with connection.cursor() as cursor:
        cursor.execute(sql, [municipality.pk, period])
        row = cursor.fetchone()
        if row is None:
            counter.objects.get_or_create(municipality=municipality, period=period)
            cursor.execute(sql, [municipality.pk, period])
            row = cursor.fetchone()
    return period, row[0]
