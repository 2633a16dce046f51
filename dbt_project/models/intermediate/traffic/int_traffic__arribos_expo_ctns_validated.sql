{#- One row per container picked up: a container already in an earlier row (of any booking) is a
    `duplicate container_key`, so no container is assigned to two bookings. -#}
with

expo as (

    select * from {{ ref('stg_traffic__arribos_expo_ctns') }}

),

final as (

    select
        *,
        {{ traffic_rejection_reasons(
            'arribos_expo_ctns',
            booking=true,
            cantidad=true,
            parsed=[('fecha_text', 'fecha')],
            duplicate_key='container_key') }} as rejection_reasons

    from expo

)

select * from final
