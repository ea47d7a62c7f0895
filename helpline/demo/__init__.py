"""Demo data: the composition layer that loads a believable support desk through every app's
services (``helpline demo``). Like the CLI, it sits above every domain app; no app imports it.

``loader`` (the cast and the stories, and the entry point ``load``), ``bulk`` (tickets at volume
for the benchmarks), ``content`` (the words), ``account_management`` and ``uptime``."""
