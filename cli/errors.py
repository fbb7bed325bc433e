"""The one kind of error the CLI reports: a one-line message and exit code 2."""


class CliError(Exception):
    exit_code = 2
