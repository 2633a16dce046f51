with

validated as (

    select * from {{ ref('int_traffic__remisiones_validated') }}

),

exits as (

    select * from {{ ref('int_traffic__container_exits') }}

),

final as (

    select
        validated.business_key,
        validated.source_id,
        validated.dia,
        validated.cliente,
        validated.operacion,
        validated.booking,
        validated.contenedor,
        validated.volumen,
        validated.precinto,
        validated.observaciones,
        validated.hora,
        validated.e_tally,
        validated.chofer,
        exits.fecha_egr as fecha_y_hora_fin,
        coalesce(exits.estado_remision, validated.estado) as estado

    from validated
    left join exits on validated.container_key = exits.container_key
    where validated.rejection_reasons is null

)

select * from final
