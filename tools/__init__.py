"""Tools the model may call; each registers what it returns as evidence."""
