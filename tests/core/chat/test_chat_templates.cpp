// Each family renders exactly what its reference template produces, and detection picks the
// family from distinctive markers of real templates.
#include <gtest/gtest.h>

#include "chat/chat_template.h"
#include "chat/model_chat_format.h"
#include "../server/fake_served_model.h"

using namespace veil::chat;

namespace {

const Messages kChat = {
    {"system", "You are kind."},
    {"user", "Hi"},
    {"assistant", "Hello!"},
    {"user", "How are you?"},
};

}  // namespace

TEST(ChatTemplate, ChatML) {
    EXPECT_EQ(render(Family::ChatML, kChat),
              "<|im_start|>system\nYou are kind.<|im_end|>\n"
              "<|im_start|>user\nHi<|im_end|>\n"
              "<|im_start|>assistant\nHello!<|im_end|>\n"
              "<|im_start|>user\nHow are you?<|im_end|>\n"
              "<|im_start|>assistant\n");
    RenderOptions no_gen;
    no_gen.add_generation_prompt = false;
    EXPECT_EQ(render(Family::ChatML, {{"user", "Hi"}}, no_gen), "<|im_start|>user\nHi<|im_end|>\n");
}

TEST(ChatTemplate, Llama2) {
    EXPECT_EQ(render(Family::Llama2, kChat),
              "<s>[INST] <<SYS>>\nYou are kind.\n<</SYS>>\n\nHi [/INST] Hello! </s>"
              "<s>[INST] How are you? [/INST]");
    EXPECT_EQ(render(Family::Llama2, {{"user", " Hi  "}}), "<s>[INST] Hi [/INST]");
}

TEST(ChatTemplate, Llama3) {
    EXPECT_EQ(render(Family::Llama3, kChat),
              "<|begin_of_text|>"
              "<|start_header_id|>system<|end_header_id|>\n\nYou are kind.<|eot_id|>"
              "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
              "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>"
              "<|start_header_id|>user<|end_header_id|>\n\nHow are you?<|eot_id|>"
              "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

TEST(ChatTemplate, Mistral) {
    Messages no_system(kChat.begin() + 1, kChat.end());
    EXPECT_EQ(render(Family::Mistral, no_system), "<s>[INST] Hi [/INST]Hello!</s>[INST] How are you? [/INST]");
    // The reference template has no system role: it is folded into the first user turn.
    EXPECT_EQ(render(Family::Mistral, kChat),
              "<s>[INST] You are kind.\n\nHi [/INST]Hello!</s>[INST] How are you? [/INST]");
}

TEST(ChatTemplate, Gemma) {
    Messages no_system(kChat.begin() + 1, kChat.end());
    EXPECT_EQ(render(Family::Gemma, no_system),
              "<bos><start_of_turn>user\nHi<end_of_turn>\n"
              "<start_of_turn>model\nHello!<end_of_turn>\n"
              "<start_of_turn>user\nHow are you?<end_of_turn>\n"
              "<start_of_turn>model\n");
    EXPECT_EQ(render(Family::Gemma, {{"system", "Be brief."}, {"user", "Hi"}}),
              "<bos><start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\n");
}

TEST(ChatTemplate, Phi3) {
    EXPECT_EQ(render(Family::Phi3, kChat),
              "<|system|>\nYou are kind.<|end|>\n"
              "<|user|>\nHi<|end|>\n"
              "<|assistant|>\nHello!<|end|>\n"
              "<|user|>\nHow are you?<|end|>\n"
              "<|assistant|>\n");
}

TEST(ChatTemplate, EmptyConversationIsRefused) {
    EXPECT_THROW(render(Family::ChatML, {}), std::invalid_argument);
}

TEST(ChatTemplate, DetectsFamiliesFromRealTemplateMarkers) {
    EXPECT_EQ(detect_family("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n'}}"),
              Family::ChatML);
    EXPECT_EQ(detect_family("{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>' %}"),
              Family::Llama3);
    EXPECT_EQ(detect_family("{{ '<start_of_turn>' + role + '\\n' }}"), Family::Gemma);
    EXPECT_EQ(detect_family("{{'<|user|>' + '\\n' + message['content'] + '<|end|>'}}"), Family::Phi3);
    EXPECT_EQ(detect_family("{{ bos_token + '[INST] ' + '<<SYS>>\\n' + system_message }}"), Family::Llama2);
    EXPECT_EQ(detect_family("{{ bos_token }}{{ '[INST] ' + message['content'] + ' [/INST]' }}"), Family::Mistral);
    EXPECT_FALSE(detect_family("{{ message.content }}").has_value());
}

TEST(ChatTemplate, NamesRoundTrip) {
    for (auto f : {Family::ChatML, Family::Llama2, Family::Llama3, Family::Mistral, Family::Gemma, Family::Phi3})
        EXPECT_EQ(family_from_name(family_name(f)), f);
    EXPECT_FALSE(family_from_name("jinja").has_value());
}

TEST(ChatFormat, OverrideBeatsModelTemplateAndFallbackIsChatML) {
    veil::test::FakeServedModel model;
    EXPECT_EQ(ModelChatFormat::choose(model, "").family(), Family::ChatML);
    EXPECT_EQ(ModelChatFormat::choose(model, "").source(), "fallback");
    model.chat_template = "<|start_header_id|>";
    EXPECT_EQ(ModelChatFormat::choose(model, "").family(), Family::Llama3);
    EXPECT_EQ(ModelChatFormat::choose(model, "").source(), "gguf");
    EXPECT_EQ(ModelChatFormat::choose(model, "phi3").family(), Family::Phi3);
    EXPECT_THROW(ModelChatFormat::choose(model, "nonsense"), std::invalid_argument);
    // The prompt leaves BOS to the tokenizer.
    EXPECT_EQ(ModelChatFormat::choose(model, "").prompt({{"user", "Hi"}}),
              "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
              "<|start_header_id|>assistant<|end_header_id|>\n\n");
}
