with

source as (

    select * from {{ source('automation', 'assignment_logs') }}

),

final as (

    select
        id as assignment_log_id,
        order_id,
        driver_id,
        assignment_type,
        assignment_method,
        cast(total_score as double precision) as total_score,
        cast(distance_score as double precision) as distance_score,
        cast(time_score as double precision) as time_score,
        cast(load_score as double precision) as load_score,
        cast(priority_score as double precision) as priority_score,
        assignment_reason,
        created_at,
        assigned_at,
        updated_at,
        _dlt_load_id

    from source

)

select * from final
