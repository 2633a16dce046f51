with

remisiones as (

    select * from {{ ref('stg_traffic__remisiones') }}

),

keyed as (

    select
        *,
        container_key || '|' || operacion as business_key

    from remisiones

),

final as (

    select
        *,
        {{ traffic_rejection_reasons(
            'remisiones',
            booking=true,
            parsed=[('dia_text', 'dia'), ('hora_text', 'hora')],
            duplicate_key='business_key') }} as rejection_reasons

    from keyed

)

select * from final
