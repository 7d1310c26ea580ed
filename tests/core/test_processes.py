import sys
import time

from imbizo.cli import main
from imbizo.core.processes import run_together


def test_when_one_process_ends_the_others_are_stopped():
    started = time.monotonic()
    code = run_together([
        [sys.executable, "-c", "import time; time.sleep(60)"],
        [sys.executable, "-c", "raise SystemExit(3)"],
    ])
    assert code == 3
    assert time.monotonic() - started < 30


def test_dashed_command_names_reach_djangos_commands(db, capsys):
    main(["imbizo", "verify-audit"])
    assert "Audit chain intact: 0 entries." in capsys.readouterr().out
