"""The configuration document and the services that write: the draft read into one document
(document), the table registry (tables), publish, schedule and withdraw (services), a document
loaded back into the draft (restore), the draft history's reasons (history) and API keys."""
