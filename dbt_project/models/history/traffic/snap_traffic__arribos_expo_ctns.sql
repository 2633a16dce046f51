{#- The snapshot `snap_traffic__arribos_expo_ctns` on Spark: the versions of `hist_traffic__arribos_expo_ctns`
    with their `dbt_valid_to`. -#}
{{ history_versions(ref('hist_traffic__arribos_expo_ctns'), 'business_key', 'new_record') }}
