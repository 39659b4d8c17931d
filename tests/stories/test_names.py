from monitor.stories.names import name_keys, number_keys, skeleton


def test_one_place_name_in_three_scripts_meets():
    english = name_keys("Fighting went on at Baghouz on Sunday.")
    arabic = name_keys("استمر القتال في الباغوز يوم الأحد")
    hindi = name_keys("रविवार को बघौज पर हमला")
    assert "bgz" in english and "bgz" in arabic and "bgz" in hindi


def test_sentence_initial_and_lowercase_words_are_not_names():
    common = {"yesterday", "tomorrow", "the"}
    keys = name_keys("Yesterday the minister spoke. Tomorrow Macron travels to Berlin. Merkel stays.",
                     is_rare=lambda w: w.casefold() not in common)
    assert {"mkrn", "brln", "mrkl"} <= keys
    assert skeleton("yesterday") not in keys and skeleton("minister") not in keys
    assert skeleton("Tomorrow") not in keys


def test_rare_filter_applies_to_uncased_scripts_only():
    keys = name_keys("In Paris في الباغوز", is_rare=lambda w: w != "الباغوز")
    assert "brs" in keys and "bgz" not in keys


def test_numbers_across_digit_scripts():
    assert number_keys("In 2019, 3,000 fled") == {"2019", "3.000"}
    assert number_keys("عام ٢٠١٩") == {"2019"}
    assert number_keys("वर्ष २०१९ में 7") == {"2019"}
