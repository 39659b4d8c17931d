import monitor.net


def test_public_surface() -> None:
    assert sorted(monitor.net.__all__) == ["HttpFetcher", "HttpResponse", "HttpSettings"]
    assert all(getattr(monitor.net, name) for name in monitor.net.__all__)
