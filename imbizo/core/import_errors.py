"""How an import command reports a refused file: each problem the import found on its own
line of stderr (an all-or-nothing import lists them in ``ImbizoError.extra["problems"]``),
then one line saying nothing was loaded."""

from django.core.management.base import BaseCommand, CommandError

from .errors import ImbizoError


def import_refused(command: BaseCommand, exc: ImbizoError) -> CommandError:
    """The error for ``command`` to raise, its problems written out first."""
    problems = exc.extra.get("problems")
    if not problems:
        return CommandError(exc.message)
    for problem in problems:
        command.stderr.write(problem)
    return CommandError(f"{len(problems)} problems; nothing was loaded.")
