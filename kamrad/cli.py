"""The `kamrad` command: Kamrad's management commands under one name.

kamrad demo                  migrate, load the demo data set when empty, serve
kamrad serve                 serve with gunicorn (KAMRAD_BIND, KAMRAD_WORKERS)
kamrad createuser NAME --role head|manager|viewer|admin
kamrad token NAME            print the API token of a user (--rotate, --revoke)
kamrad generate --clients N  a large synthetic data set, for benchmarks
kamrad import KIND FILE      import CSV or XLSX (--dry-run, --good-rows-only, --map COL=FIELD)
kamrad program propose|confirm|coverage  the VIP program's split and coverage (--program ID,
                             --as USERNAME; coverage --format csv)
kamrad remind                the daily e-mail digest of reminders, once a day (--date, --dry-run,
                             --user)
kamrad migrate, kamrad check --deploy, ...  every Django management command
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kamrad.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"-h", "--help"}:
        print(__doc__)
        args = args if args else ["help"]
    execute_from_command_line(["kamrad", *args])


if __name__ == "__main__":
    main()
