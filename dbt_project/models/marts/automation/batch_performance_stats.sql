with

daily as (

    select * from {{ ref('int_automation__batches_daily') }}

),

final as (

    select
        date,
        total_batches,
        total_orders_batched,
        avg_orders_per_batch,
        min_orders_per_batch,
        max_orders_per_batch,
        total_distance_km,
        avg_distance_per_batch,
        total_value,
        avg_success_rate,
        completed_batches,
        failed_batches
    from daily
    order by date desc

)

select * from final
