with

snapshot_versions as (

    select * from {{ ref('snap_traffic__arribos_expo_ctns') }}

),

manual_edits as (

    select * from {{ ref('int_traffic__manual_edits_validated') }}
    where rejection_reasons is null

),

final as (

    {{ traffic_apply_manual_edits('snapshot_versions', 'manual_edits', 'traficov2_arribos_ctns_expo') }}

)

select * from final
