"""Operating the pipeline: run history, health check, scheduling and secret redaction."""
