"""Plain helpers of no layer above: the shared-cache counter, limits on untrusted JSON and
uploads, formula-like text, roles, the cache table, charts and the words shared by the admin's
pages and the commands. They import nothing from the models, services or surfaces."""
