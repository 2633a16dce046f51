with

source as (

    select * from {{ latest_version(source('automation', 'route_optimizations'), ['id']) }}

),

final as (

    select
        id as route_optimization_id,
        driver_id,
        route_id,
        cast(stop_count as integer) as stop_count,
        cast(distance_saved_km as {{ type_double() }}) as distance_saved_km,
        cast(time_saved_minutes as {{ type_double() }}) as time_saved_minutes,
        cast(stops_reordered as integer) as stops_reordered,
        cast(improvement_percentage as {{ type_double() }}) as improvement_percentage,
        cast(original_distance as {{ type_double() }}) as original_distance,
        cast(optimized_distance as {{ type_double() }}) as optimized_distance,
        cast(original_time_minutes as integer) as original_time_minutes,
        cast(optimized_time_minutes as integer) as optimized_time_minutes,
        algorithm_used,
        optimization_notes,
        status,
        created_at,
        optimized_at,
        executed_at,
        completed_at,
        updated_at,
        _dlt_load_id

    from source

)

select * from final
