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
            parsed=[('fecha_text', 'fecha')]) }} as rejection_reasons

    from expo

)

select * from final
