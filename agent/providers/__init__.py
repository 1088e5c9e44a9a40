"""Language-model providers behind one small interface; the only place that imports openai."""
