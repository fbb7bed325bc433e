"""The ``myorg`` command line: the first interface of the assistant and the one scripts use."""
