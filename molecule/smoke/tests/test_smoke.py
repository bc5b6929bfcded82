def test_file(host):
    assert host.file("/tmp/smoke").content_string == "hello\n"


def test_group(group):
    (head,) = group("control")
    assert head.backend.get_hostname() == "smoke-head"
    assert head.run("getent hosts smoke-c01").rc == 0
