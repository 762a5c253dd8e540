def test_board_lists_an_idea(client, make_idea):
    make_idea(title="Dark mode for the timer")
    page = client.get("/")
    assert page.status_code == 200
    assert "Dark mode for the timer" in page.get_data(as_text=True)
