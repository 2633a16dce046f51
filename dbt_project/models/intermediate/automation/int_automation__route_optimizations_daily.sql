with

optimizations as (

    select * from {{ ref('stg_automation__route_optimizations') }}

),

dated as (

    select
        *,
        {{ automation_stats_date('optimized_at') }} as date
    from optimizations
    where optimized_at is not null

),

final as (

    select
        date,
        count(*) as total_optimizations,
        sum(distance_saved_km) as total_distance_saved_km,
        sum(time_saved_minutes) as total_time_saved_minutes,
        avg(distance_saved_km) as avg_distance_saved_km,
        avg(time_saved_minutes) as avg_time_saved_minutes,
        cast(sum(stops_reordered) as {{ dbt.type_bigint() }}) as total_stops_reordered,
        avg(improvement_percentage) as avg_improvement_percentage,
        {{ count_where("status = 'completed'") }} as completed_optimizations,
        {{ count_where("status = 'failed'") }} as failed_optimizations,
        {{ touched_partitions_audit_columns() }}
    from dated
    {{- where_touched('dated', ['date']) }}
    group by date

)

select * from final
