{#- The snapshot `snap_traffic__arribos` on Spark: the versions of `hist_traffic__arribos`
    with their `dbt_valid_to`. -#}
{{ history_versions(ref('hist_traffic__arribos'), 'business_key', 'new_record') }}
