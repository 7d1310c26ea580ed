from django.urls import path

from . import call, casemap, casepage, inbox, queue, signin, ward, work

app_name = "console"

urlpatterns = [
    path("", queue.my_queue, name="my_queue"),
    path("login", signin.login_view, name="login"),
    path("enrol", signin.enrol_view, name="enrol"),
    path("verify", signin.verify_view, name="verify"),
    path("logout", signin.logout_view, name="logout"),
    path("cases", queue.all_cases, name="cases"),
    path("cases/assign", queue.bulk_assign, name="bulk_assign"),
    path("views", queue.saved_view_create, name="saved_view_create"),
    path("views/<int:pk>/delete", queue.saved_view_remove, name="saved_view_delete"),
    path("inbox", inbox.inbox, name="inbox"),
    path("inbox/<int:pk>", inbox.conversation, name="conversation"),
    path("inbox/<int:pk>/lines", inbox.new_lines, name="handover_lines"),
    path("inbox/<int:pk>/take", inbox.take, name="handover_take"),
    path("inbox/<int:pk>/reply", inbox.reply, name="handover_reply"),
    path("inbox/<int:pk>/close", inbox.close, name="handover_close"),
    path("call", call.call, name="call"),
    path("work", work.work, name="work"),
    path("work/<int:pk>/<slug:step>", work.work_step, name="work_step"),
    path("ward", ward.ward, name="ward"),
    path("map", casemap.case_map, name="map"),
    path("map.json", casemap.case_map_data, name="map_data"),
    path("cases/<str:reference>", casepage.case_page, name="case"),
    path("cases/<str:reference>/merge", casepage.merge, name="merge"),
    path("cases/<str:reference>/<slug:action>", casepage.case_action, name="case_action"),
]
