from kawa.engine import naming


def test_root_node_id_is_the_workflow_name() -> None:
    assert naming.node_id("wf", "wf") == "wf"


def test_node_id_is_workflow_name_and_fnv1a_of_node_name() -> None:
    # values computed by Argo for these names (its unit-test fixture)
    assert (
        naming.node_id("steps-inline-2bq8s", "steps-inline-2bq8s(0)")
        == "steps-inline-2bq8s-319341924"
    )
    assert (
        naming.node_id("steps-inline-2bq8s", "steps-inline-2bq8s(0)[0].hello")
        == "steps-inline-2bq8s-3183619224"
    )


def test_loop_child_names_render_items_as_argo_does() -> None:
    assert naming.loop_child("t", 0, "alpha\nbeta") == "t(0:alpha\\nbeta)"
    assert naming.loop_child("t", 0, 42) == "t(0:42)"
    assert naming.loop_child("t", 0, True) == "t(0:true)"
    assert naming.loop_child("fst", 0, {"name": "first", "type": ""}) == "fst(0:name:first,type:)"
    assert naming.loop_child("t", 0, [1, "two", 3]) == "t(0:[1 two 3])"
    nested = {
        "json": {"list": [0, "1"], "number": 2, "string": "foo"},
        "list": [0, "1"],
        "number": 2,
        "string": "foo",
    }
    assert naming.loop_child("t", 0, nested) == (
        't(0:json:{"list":[0,"1"],"number":2,"string":"foo"},list:[0,"1"],number:2,string:foo)'
    )


def test_parentheses_inside_items_are_dropped_from_names() -> None:
    assert naming.loop_child("t", 1, "f(x)") == "t(1:fx)"
