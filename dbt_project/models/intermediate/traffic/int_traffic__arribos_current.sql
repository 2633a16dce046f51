with

validated as (

    select * from {{ ref('int_traffic__arribos_validated') }}

),

final as (

    select
        container_key as business_key,
        source_id,
        terminal,
        turno,
        contenedor,
        cliente,
        booking,
        tipo_cnt,
        oper,
        tiempo,
        estado,
        chofer,
        dimension,
        fecha

    from validated
    where rejection_reasons is null

)

select * from final
