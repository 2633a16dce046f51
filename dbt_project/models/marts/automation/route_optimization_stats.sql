with

daily as (

    select * from {{ ref('int_automation__route_optimizations_daily') }}

),

final as (

    select
        date,
        total_optimizations,
        total_distance_saved_km,
        total_time_saved_minutes,
        avg_distance_saved_km,
        avg_time_saved_minutes,
        total_stops_reordered,
        avg_improvement_percentage,
        completed_optimizations,
        failed_optimizations
    from daily
    order by date desc

)

select * from final
