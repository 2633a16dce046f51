with

resolved as (

    select * from {{ ref('int_traffic__arribos_expo_ctns_resolved') }}

),

final as (

    select
        {{- traffic_legacy_select('traficov2_arribos_ctns_expo') }}
        cast(fecha_registro as timestamp) as fecha_registro,
        cast(fecha_modificacion as timestamp) as fecha_modificacion

    from resolved

)

select * from final
