{#- The snapshot `snap_traffic__pendiente_desconsolidar` on Spark: the versions of `hist_traffic__pendiente_desconsolidar`
    with their `dbt_valid_to`. -#}
{{ history_versions(ref('hist_traffic__pendiente_desconsolidar'), 'business_key', 'new_record') }}
