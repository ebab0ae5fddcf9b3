"""Pure rules of the lane: no I/O, no imports from the rest of the project."""
