{#- Warehouses with their code (macro `inventory_warehouse_code`). Codes are unique: when several
    warehouses' names give the same code, the one with the smallest Relbase id (`external_id`, as a
    number) keeps it and each other one gets `<code>_<external_id>`, which no derived code can equal
    (derived codes hold no digits). A name with no letter gives the code `warehouse`, settled the
    same way. Disabled warehouses stay, with `is_active` false. -#}
with

warehouses as (

    select * from {{ ref('stg_inventory__warehouses') }}

),

{# Each warehouse's newest download, not the current lake run: a warehouse no longer listed keeps
    its last version here (stock that fell back to an older answer may still name it). #}
newest as (

    select
        warehouse_id,
        max(lake_run_id) as lake_run_id
    from warehouses
    group by warehouse_id

),

current_warehouses as (

    select
        warehouses.*,
        coalesce(
            nullif({{ inventory_warehouse_code('warehouses.warehouse_name') }}, ''), 'warehouse'
        ) as derived_code
    from warehouses
    inner join newest
        on
            warehouses.warehouse_id = newest.warehouse_id
            and warehouses.lake_run_id = newest.lake_run_id

),

ranked as (

    select
        *,
        row_number() over (partition by derived_code order by warehouse_id) as code_rank
    from current_warehouses

),

final as (

    select
        warehouse_id,
        case
            when code_rank = 1 then derived_code
            else derived_code || '_' || cast(warehouse_id as {{ dbt.type_string() }})
        end as code,
        warehouse_name as name,  -- noqa: RF04
        address,
        cast(warehouse_id as {{ dbt.type_string() }}) as external_id,
        'relbase' as source,  -- noqa: RF04
        is_enabled as is_active
    from ranked

)

select * from final
