with

source as (

    select * from {{ latest_version(source('automation', 'order_batches'), ['id']) }}

),

final as (

    select
        id as order_batch_id,
        batch_number,
        driver_id,
        cast(order_count as integer) as order_count,
        cast(total_distance_km as {{ type_double() }}) as total_distance_km,
        cast(estimated_delivery_time_minutes as integer) as estimated_delivery_time_minutes,
        cast(total_weight_kg as {{ type_double() }}) as total_weight_kg,
        cast(total_value as {{ type_double() }}) as total_value,
        delivery_zone,
        service_type,
        status,
        dispatched_at,
        completed_at,
        cast(stops_completed as integer) as stops_completed,
        cast(delivery_success_rate as {{ type_double() }}) as delivery_success_rate,
        created_at,
        updated_at,
        _dlt_load_id

    from source

)

select * from final
