with

source as (

    select * from {{ latest_version(source('automation', 'assignment_logs'), ['id']) }}

),

final as (

    select
        id as assignment_log_id,
        order_id,
        driver_id,
        assignment_type,
        assignment_method,
        cast(total_score as {{ type_double() }}) as total_score,
        cast(distance_score as {{ type_double() }}) as distance_score,
        cast(time_score as {{ type_double() }}) as time_score,
        cast(load_score as {{ type_double() }}) as load_score,
        cast(priority_score as {{ type_double() }}) as priority_score,
        assignment_reason,
        created_at,
        assigned_at,
        updated_at,
        _dlt_load_id

    from source

)

select * from final
