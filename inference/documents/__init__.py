"""Document pre-review: classification, authenticity, quality, per-type field rules and the case review."""
