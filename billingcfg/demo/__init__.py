"""The demo: its data (data), loaded into the draft through restore (load), and a few
releases for the admin's history pages (history)."""
