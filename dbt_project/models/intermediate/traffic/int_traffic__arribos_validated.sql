with

arribos as (

    select * from {{ ref('stg_traffic__arribos') }}

),

final as (

    select
        *,
        {{ traffic_rejection_reasons(
            'arribos',
            booking=true,
            parsed=[('fecha_text', 'fecha'), ('turno_text', 'turno')],
            duplicate_key='container_key') }} as rejection_reasons

    from arribos

)

select * from final
