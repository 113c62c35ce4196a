"""Demo data: a seeded, realistic reading-club community (书香读书会) to explore qunzhu with."""
