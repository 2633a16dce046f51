{#- Data tests of a landed table restricted to the rows no build has tested yet.

    A test configured `where: "__not_yet_built__"` (dbt_project.yml, the automation staging tests)
    reads only the rows of its model loaded after the newest load that the model's incremental child
    (the daily model that reads it, `touched_partitions`) has processed: `_dlt_load_id >
    max(_max_load_id)` of that child. In `dbt build` a model's tests run before its children are
    built, and a failing error-level test skips them, so the child's newest processed load only moves
    once those rows passed: every row is tested, by the first build after its load.

    The whole table is tested instead (`1 = 1`): outside `dbt build` (a `dbt test` after `dbt run`
    would find the child already built), on a full refresh, when the model has no incremental child
    or the child is not built yet.

    Key uniqueness over the whole table still holds: dlt merges each landed table on its primary key
    `id` (upsert), so a new row with an id already landed replaces the old row instead of adding one;
    a `unique` test over the new rows then covers the whole table. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') or '' -%}
    {%- if '__not_yet_built__' in where -%}
        {%- set where = where | replace('__not_yet_built__', not_yet_built_filter(relation)) -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- The predicate of `__not_yet_built__` for the tested relation (see above). -#}
{% macro not_yet_built_filter(relation) -%}
    {%- set found = namespace(predicate='1 = 1') -%}
    {%- if execute and flags.WHICH == 'build' and not flags.FULL_REFRESH -%}
        {%- set tested = 'model.' ~ project_name ~ '.' ~ relation.identifier -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model' and node.config.materialized == 'incremental'
                and tested in node.depends_on.nodes and found.predicate == '1 = 1' -%}
                {%- set built = adapter.get_relation(
                    database=node.database, schema=node.schema, identifier=node.alias) -%}
                {%- if built is not none -%}
                    {%- set newest = run_query(
                        'select max(_max_load_id) from ' ~ built).columns[0].values()[0] -%}
                    {%- if newest is not none -%}
                        {%- set found.predicate = "_dlt_load_id > '" ~ newest ~ "'" -%}
                    {%- endif -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return(found.predicate) -}}
{%- endmacro %}
