with

daily as (

    select * from {{ ref('int_automation__assignments_daily') }}

),

final as (

    select
        date,
        total_assignments,
        auto_assigned,
        force_assigned,
        manual_assignments,
        avg_total_score,
        avg_distance_score,
        avg_time_score,
        avg_load_score,
        avg_priority_score,
        min_score,
        max_score
    from daily
    order by date desc

)

select * from final
