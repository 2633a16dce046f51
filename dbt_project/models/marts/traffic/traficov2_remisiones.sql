with

resolved as (

    select * from {{ ref('int_traffic__remisiones_resolved') }}

),

final as (

    select
        {{- traffic_legacy_select('traficov2_remisiones') }}
        cast(fecha_registro as timestamp) as fecha_registro,
        cast(fecha_modificacion as timestamp) as fecha_modificacion

    from resolved

)

select * from final
