<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>ChildWords</name>
    <message numerus="yes">
        <source>Only %n min left. Get ready to stop!</source>
        <translation>
            <numerusform>Only %n min left. Get ready to stop!</numerusform>
            <numerusform>Only %n min left. Get ready to stop!</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n min of screen time left today.</source>
        <translation>
            <numerusform>%n min of screen time left today.</numerusform>
            <numerusform>%n min of screen time left today.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MoreTimeDialog</name>
    <message numerus="yes">
        <source>A message about it is on its way to %n person(s) in your family. Wait for the answer here.</source>
        <translation>
            <numerusform>A message about it is on its way to %n person in your family. Wait for the answer here.</numerusform>
            <numerusform>A message about it is on its way to %n people in your family. Wait for the answer here.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Yes! You have %n more minute(s) now.</source>
        <translation>
            <numerusform>Yes! You have %n more minute now.</numerusform>
            <numerusform>Yes! You have %n more minutes now.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>A parent gave you %n more minute(s). They count from now.</source>
        <translation>
            <numerusform>A parent gave you %n more minute. It counts from now.</numerusform>
            <numerusform>A parent gave you %n more minutes. They count from now.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>You asked for %n more minute(s).</source>
        <translation>
            <numerusform>You asked for %n more minute.</numerusform>
            <numerusform>You asked for %n more minutes.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TrayController</name>
    <message numerus="yes">
        <source>A parent gave you %n more minute(s).</source>
        <translation>
            <numerusform>A parent gave you %n more minute.</numerusform>
            <numerusform>A parent gave you %n more minutes.</numerusform>
        </translation>
    </message>
</context>
</TS>
