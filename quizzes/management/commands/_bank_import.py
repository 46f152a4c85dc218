"""What import_bank and import_gift share: read the file, apply, print a summary."""

from pathlib import Path

from django.core.management.base import CommandError

from quizzes.importers import ImportPlan, ImportRejected, apply_plan
from quizzes.textfiles import TextFileError, check_size


def read_file(path: str) -> bytes:
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"{path}: no such file.")
    try:
        check_size(file.stat().st_size)
    except TextFileError as error:
        raise CommandError(f"{path}: {error}") from None
    return file.read_bytes()


def apply_and_report(command, plan_reader, path: str) -> None:
    try:
        plan: ImportPlan = plan_reader(read_file(path))
        result = apply_plan(plan, source=Path(path).name)
    except ImportRejected as error:
        raise CommandError(f"{path}: {error} Nothing was imported.") from None
    out = command.stdout
    out.write(
        f"Imported {result.questions_created} new questions and {result.topics_created} new "
        f"topics; {result.questions_unchanged} questions were already in the bank and were left "
        "unchanged."
    )
    if result.inactive_keys:
        out.write(
            f"{len(result.inactive_keys)} questions have no explanation and were imported "
            "inactive; write an explanation before activating them:"
        )
        for key in result.inactive_keys:
            out.write(f"  {key}")
    if result.skipped:
        out.write(f"Skipped {len(result.skipped)} questions of kinds we do not support:")
        for line in result.skipped:
            out.write(f"  {line}")
