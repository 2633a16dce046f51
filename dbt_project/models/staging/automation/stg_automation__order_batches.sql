with

source as (

    select * from {{ source('automation', 'order_batches') }}

),

final as (

    select
        id as order_batch_id,
        batch_number,
        driver_id,
        cast(order_count as integer) as order_count,
        cast(total_distance_km as double precision) as total_distance_km,
        cast(estimated_delivery_time_minutes as integer) as estimated_delivery_time_minutes,
        cast(total_weight_kg as double precision) as total_weight_kg,
        cast(total_value as double precision) as total_value,
        delivery_zone,
        service_type,
        status,
        dispatched_at,
        completed_at,
        cast(stops_completed as integer) as stops_completed,
        cast(delivery_success_rate as double precision) as delivery_success_rate,
        created_at,
        updated_at,
        _dlt_load_id

    from source

)

select * from final
