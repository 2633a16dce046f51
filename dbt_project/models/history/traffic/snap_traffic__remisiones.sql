{#- The snapshot `snap_traffic__remisiones` on Spark: the versions of `hist_traffic__remisiones`
    with their `dbt_valid_to`. -#}
{{ history_versions(ref('hist_traffic__remisiones'), 'business_key', 'new_record') }}
